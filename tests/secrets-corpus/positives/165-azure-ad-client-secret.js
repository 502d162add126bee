import fetch from 'node-fetch';

export async function run() {
const token = 'sEx8Q~QyeWrEdr4XOtgfgFj3XudT8NBEZQnHLleS';
  return fetch(URL);
}
