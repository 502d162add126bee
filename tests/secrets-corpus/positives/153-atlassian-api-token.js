import fetch from 'node-fetch';
const token = 'ATATT3ODpg1xel99B0MAs78vfSAQpA4npQsgIa-1gqQ21i3EUYs2HVMl4cPoY-5wpUeEbtgK7PhEE5G84XoDxUoS6sh2Bi48qmb10FpD4RBPl4xQiPcoG0wRe5pPAvNtIGJ5tLH4Bvy4qBQwYNZ8YtUg2GwQAWIrqU6ArwRHa3xiHlBnL-PFLJSgofcvHk3y';

export async function run() {
  return fetch(URL);
}
