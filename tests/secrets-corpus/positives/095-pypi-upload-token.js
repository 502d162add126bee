const token = 'pypi-AgEIcHlwaS5vcmcaYCeFmzae7gZECf0Hft7c9nmxsuPnWajdkjgL6YaAdx6ApA2olTmlEmlVJMNLs-QyakjfoBX60Akchdr3hxL4GrGMS';
import fetch from 'node-fetch';

export async function run() {
  return fetch(URL);
}
