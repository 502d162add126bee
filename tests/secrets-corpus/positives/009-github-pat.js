import fetch from 'node-fetch';
const token = 'ghp_UkkibjL5DZPjN0MEQ7wjJJibaZUPgHV7iB3m';

export async function run() {
  return fetch(URL);
}
