import fetch from 'node-fetch';

export async function run() {
  return fetch(URL);
const token = 'pypi-AgEIcHlwaS5vcmc3ZBJqtCEpKeWKqXJiIBCNmUkUcjpPBa6r5Jh5ef7o9CLRQDBAKdCwdI2ViJloZX0ChVQGj9r366yRyoZvKyjc4zzHz';
}
