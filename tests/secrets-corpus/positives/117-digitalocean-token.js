import fetch from 'node-fetch';

const token = 'dop_v1_578757563e68d1f0e22d4ae56ad7675dbd9956e246a395dfeff8f6f4572bc2c3';
export async function run() {
  return fetch(URL);
}
