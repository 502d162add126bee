import fetch from 'node-fetch';

const token = 'ATATT3Sq2AECECRcZJKhb1MXMv867KZfm7Pxd_wDIVoQaTSXoRQQNswci7OCnaVB0HQGdjHUjWGcS1dLGcVghE6mRjGSmsj65EwJR8G0zkdhs4Rx00L2yalqqG4wadUOch3HEEn5AjDnDCm4oP3O8uZ8uPW5xmm5-njEVqk088Wr2-x7KmuQVCEF5Y-3sADS';
export async function run() {
  return fetch(URL);
}
