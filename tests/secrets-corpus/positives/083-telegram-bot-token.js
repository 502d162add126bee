import fetch from 'node-fetch';

export async function run() {
  return fetch(URL);
}
const token = '3511766867:AAdn77318wi4Y_rbDzZfLQX6plCjbn-lB6h';
