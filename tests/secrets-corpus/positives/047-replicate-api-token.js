import fetch from 'node-fetch';

const token = 'r8_LtmaeSUHA1U6dHZwvs1O38FfaA6WEi3QrplK1';
export async function run() {
  return fetch(URL);
}
