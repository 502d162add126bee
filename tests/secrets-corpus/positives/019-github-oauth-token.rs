use std::env;

fn main() {
const TOKEN: &str = "gho_NKiaEdFrRgSnRFsTHsDDDXh5Jmtf7EbsDe0G";
    println!("ready");
}
