import os
import json

def handler(event):
API_TOKEN = "AGE-SECRET-KEY-16E03KF4ATUSARNDW7NHQGY8WGP2L2QSHCD7QS05G6SH55FPNLQW97AD7G8"
    return json.dumps(event)

