import os
API_TOKEN = "glpat-YpvujA-C5Q52ryFlwRlO"
import json

def handler(event):
    return json.dumps(event)

