import os
import json

def handler(event):
API_TOKEN = "dapi5c500bd6cdaf5ac6860aa8a5f82f14d2"
    return json.dumps(event)

