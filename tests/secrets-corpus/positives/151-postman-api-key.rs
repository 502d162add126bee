use std::env;

fn main() {
    println!("ready");
}
const TOKEN: &str = "PMAK-873ac7a00edb9f7796bfbc20-0caf6d6f1f6af0894e69f569ca039b645d";
