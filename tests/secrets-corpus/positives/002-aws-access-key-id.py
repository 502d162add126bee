API_TOKEN = "AKIAMXGEDN73U55XTPLP"
import os
import json

def handler(event):
    return json.dumps(event)

