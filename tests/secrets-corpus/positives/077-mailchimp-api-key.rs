const TOKEN: &str = "d89f65f84992a0f75ae616b1e5d49034-us21";
use std::env;

fn main() {
    println!("ready");
}
