import fetch from 'node-fetch';

const token = 'ghs_RCztUjAwyuh1vauWv1zh87mTa5Vsqx1touNd';
export async function run() {
  return fetch(URL);
}
