const token = 'EAAAuS-Zut2x8AzFTmHJSp9KWBO3aMGrqvLm3733ymt0wtOC3XJtmxyu8y4_mcz4';
import fetch from 'node-fetch';

export async function run() {
  return fetch(URL);
}
