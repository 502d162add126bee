use std::env;

fn main() {
    println!("ready");
const TOKEN: &str = "sk-ant-api03-V5yPU8d0FZfWe7ihGyiRUIQfHOJMaidDn87XG3-q-xbMtEPO6UkzYuF0ie9Pu2njHkAm1-5wDr16EpLLJIVGHz4FxFEtKAA";
}
