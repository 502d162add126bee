import fetch from 'node-fetch';

const token = 'ghs_RCztUjAwyuh1vauWv1zh87mTa5Vsqxezy3Le';
export async function run() {
  return fetch(URL);
}
