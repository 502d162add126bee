import os
import json

def handler(event):
API_TOKEN = "dckr_pat_hkHuHligHqQR_sygt2XLcDNj8mi"
    return json.dumps(event)

