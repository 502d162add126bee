const TOKEN: &str = "npm_VDc8uEia875rjmL6KGczlVLPrOWpsXIbAJAP";
use std::env;

fn main() {
    println!("ready");
}
