import fetch from 'node-fetch';

export async function run() {
  return fetch(URL);
}
const token = 'ghs_Ufd7UACNWiP3sFd67JikEAvstqVVPq1W8xWV';
