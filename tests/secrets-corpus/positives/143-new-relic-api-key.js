import fetch from 'node-fetch';

export async function run() {
const token = 'NRAK-ZQPBG306FP2SNDXCHB59JZJ83RW';
  return fetch(URL);
}
