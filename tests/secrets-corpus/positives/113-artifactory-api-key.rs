use std::env;

fn main() {
    println!("ready");
const TOKEN: &str = "AKCpZsWDzTmUYiVm69Fg30GvZpbqGE0Sj2NuulUV2vRmQAd0a3oKwaYWqMc5c8uo2u04r8xtx";
}
