const TOKEN: &str = "xai-WQICVf2xE87xhOefzXe35xtxGqbn3ieR4Gp9x993D8k1Bb2imx3sNrNuBiBLjQJFrmhr3BKL4Xs0KPrc";
use std::env;

fn main() {
    println!("ready");
}
