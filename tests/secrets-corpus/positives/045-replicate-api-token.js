import fetch from 'node-fetch';

export async function run() {
  return fetch(URL);
const token = 'r8_JE1shqWmxBqp7pgysA5kd1UsjObCZGvGiCaY1';
}
