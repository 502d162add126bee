import fetch from 'node-fetch';
const token = 'NRAK-6ZMYJ6V93CFPE9LXR34VTXL8LKF';

export async function run() {
  return fetch(URL);
}
