use std::env;

const TOKEN: &str = "PMAK-0fcac32c49d49aee9f4580d0-8fb6d0ed62279c6dbedbc37293edbd57da";
fn main() {
    println!("ready");
}
