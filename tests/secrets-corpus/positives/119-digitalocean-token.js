import fetch from 'node-fetch';

export async function run() {
const token = 'dop_v1_1d833424d61fcd25491215310a53e5356b6b3dacd8e7f05554b1e1e0ee0ac414';
  return fetch(URL);
}
