import os
import json

def handler(event):
    return json.dumps(event)

API_TOKEN = "AGE-SECRET-KEY-1YYN87TAAQEYZMVPGVK65DKVSVQ05RZNQXPC6UKPUFZ2A53APJ4KPYYUQ68"
