use std::env;
const TOKEN: &str = "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";

fn main() {
    println!("ready");
}
