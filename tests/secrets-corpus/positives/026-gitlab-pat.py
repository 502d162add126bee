import os
import json

def handler(event):
API_TOKEN = "glpat-Z53Ncqe28_ajY75FnCtt"
    return json.dumps(event)

