import fetch from 'node-fetch';

const token = 'oy2mxtqke3cma809rbealfpalolqpbbhffmj4ve7wus04q';
export async function run() {
  return fetch(URL);
}
