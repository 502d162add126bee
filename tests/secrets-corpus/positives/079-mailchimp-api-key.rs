use std::env;

const TOKEN: &str = "743bf2b672850882161db80a1e9ad8cd-us21";
fn main() {
    println!("ready");
}
