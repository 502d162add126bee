import os
import json

def handler(event):
    return json.dumps(event)

API_TOKEN = "squ_4a170587c7a437ecb4e59b08f1350c2aa24c4913"
