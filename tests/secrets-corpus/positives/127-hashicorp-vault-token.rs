use std::env;
const TOKEN: &str = "hvs.GUcIhRU0e3NDRR8nx_nVzI_fqR14K1tOtxuTJhFQewg22ytVpoI4YGcYXxWbVoPQqeyAcDLmzED8PpePl6pEB4N1UbDoQZE2";

fn main() {
    println!("ready");
}
