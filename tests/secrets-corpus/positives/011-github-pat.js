const token = 'ghp_XlMaXZjljENUhJduRHHJEYXg4JdpmrcXgGCJ';
import fetch from 'node-fetch';

export async function run() {
  return fetch(URL);
}
