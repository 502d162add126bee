const TOKEN: &str = "lin_api_7ZgztGT0bZyxiZEfbbjGoOf0fJmMHeis0ACqLpu1";
use std::env;

fn main() {
    println!("ready");
}
