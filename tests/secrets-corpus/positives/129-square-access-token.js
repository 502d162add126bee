import fetch from 'node-fetch';

export async function run() {
  return fetch(URL);
const token = 'EAAA1cUCZauz5UZHDw6vVhdWCPZf-8zwiwxHrvOLr9orJNMzC4OqU-5vhnkesIiw';
}
