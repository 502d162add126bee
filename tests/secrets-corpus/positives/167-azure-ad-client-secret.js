import fetch from 'node-fetch';

export async function run() {
  return fetch(URL);
const token = 'MVP8Q~rs10I1W21oqaAxxJeW4KRrFBIG4CedweRj';
}
