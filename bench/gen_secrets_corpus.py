#!/usr/bin/env python3
"""Writes tests/secrets-corpus/: realistic files with random credentials in each provider's
documented format (positives, labelled in labels.json with file, line and rule), and hard
negatives (placeholders, documentation examples, env lookups, git SHAs, UUIDs, base64 images,
lock-file hashes, minified JS), one case a line. Run by hand; the output is committed.
Every credential is random characters: none is real."""
import base64, hashlib, json, os, random, re, string, sys, uuid, zlib

random.seed(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
root = os.path.join(os.path.dirname(__file__), '..', 'tests', 'secrets-corpus')
CS = {'A': string.ascii_uppercase, 'a': string.ascii_lowercase, 'd': string.digits, 'h': '0123456789abcdef',
      'an': string.ascii_letters + string.digits, 'An': string.ascii_uppercase + string.digits,
      'al': string.ascii_lowercase + string.digits, 'u': string.ascii_letters + string.digits + '_-',
      'b64': string.ascii_letters + string.digits + '+/', 'b32': string.ascii_uppercase + '234567', 'L': string.ascii_letters}
def g(t):
    def rep(m):
        n, cs = int(m.group(1)), CS[m.group(2)]
        while True:
            s = ''.join(random.choice(cs) for _ in range(n))
            if not re.search(r'(.)\1\1\1', s):
                return s
    return re.sub(r'\{(\d+):(\w+)\}', rep, t)

# (rule, value template)
TOKENS = [
    ('aws-access-key-id', 'AKIA{16:b32}'), ('gcp-api-key', 'AIza{35:u}'), ('github-pat', 'ghp_{36:an}'),
    ('github-fine-grained-pat', 'github_pat_{22:an}_{59:an}'), ('github-oauth-token', 'gho_{36:an}'),
    ('github-app-token', 'ghs_{36:an}'), ('gitlab-pat', 'glpat-{20:u}'), ('anthropic-api-key', 'sk-ant-api03-{93:u}AA'),
    ('openai-project-key', 'sk-proj-{74:u}T3BlbkFJ{74:u}'), ('huggingface-token', 'hf_{34:L}'), ('groq-api-key', 'gsk_{52:an}'),
    ('replicate-api-token', 'r8_{37:an}'), ('stripe-live-secret-key', 'sk_live_{24:an}'), ('stripe-test-secret-key', 'sk_test_{99:an}'),
    ('stripe-restricted-key', 'rk_live_{24:an}'), ('slack-bot-token', 'xoxb-{12:d}-{13:d}-{24:an}'),
    ('slack-webhook', 'https://hooks.slack.com/services/T{8:An}/B{10:An}/{24:an}'), ('sendgrid-api-key', 'SG.{22:u}.{43:u}'),
    ('mailgun-api-key', 'key-{32:h}'), ('mailchimp-api-key', '{32:h}-us21'), ('telegram-bot-token', '{10:d}:AA{33:u}'),
    ('discord-webhook', 'https://discord.com/api/webhooks/{18:d}/{68:u}'), ('npm-access-token', 'npm_{36:an}'),
    ('pypi-upload-token', 'pypi-AgEIcHlwaS5vcmc{90:u}'), ('crates-io-token', 'cio{32:an}'), ('rubygems-api-key', 'rubygems_{48:h}'),
    ('nuget-api-key', 'oy2{43:al}'), ('dockerhub-token', 'dckr_pat_{27:u}'), ('artifactory-api-key', 'AKCp{69:an}'),
    ('digitalocean-token', 'dop_v1_{64:h}'), ('databricks-token', 'dapi{32:h}'), ('hashicorp-vault-token', 'hvs.{96:u}'),
    ('square-access-token', 'EAAA{60:u}'), ('shopify-token', 'shpat_{32:h}'), ('linear-api-key', 'lin_api_{40:an}'),
    ('new-relic-api-key', 'NRAK-{27:An}'), ('sonarqube-token', 'squ_{40:h}'), ('postman-api-key', 'PMAK-{24:h}-{34:h}'),
    ('atlassian-api-token', 'ATATT3{186:u}'), ('age-secret-key', None), ('jwt', 'eyJhbGciOiJIUzI1NiJ9.eyJ{48:u}.{43:u}'),
    ('azure-ad-client-secret', '{3:an}8Q~{34:an}'), ('perplexity-api-key', 'pplx-{48:an}'), ('xai-api-key', 'xai-{80:an}'),
    ('openai-service-key', 'sk-svcacct-{74:u}T3BlbkFJ{74:u}'), ('anthropic-admin-key', 'sk-ant-admin01-{93:u}AA'),
]
B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
def crc32_base62(body):
    """GitHub's and npm's tokens end in the CRC32 of the 30 characters before, in base62."""
    n, out = zlib.crc32(body.encode()), ''
    while n:
        n, d = divmod(n, 62)
        out = B62[d] + out
    return out.rjust(6, '0')

def token(rule, tmpl):
    if rule == 'age-secret-key':
        return 'AGE-SECRET-KEY-1' + ''.join(random.choice('QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L') for _ in range(58))
    v = g(tmpl)
    if re.fullmatch(r'(gh[pousr]|npm)_[A-Za-z0-9]{36}', v):
        v = v[:-6] + crc32_base62(v[4:-6])
    return v

# How each language embeds a value: (extension, line template)
EMBED = [
    ('py', 'API_TOKEN = "{v}"'), ('py', 'client = Client(api_key="{v}")'), ('js', "const token = '{v}';"),
    ('js', 'module.exports = {{ key: "{v}" }};'), ('yaml', 'token: {v}'), ('yaml', '  api_key: "{v}"'),
    ('env', 'SERVICE_TOKEN={v}'), ('json', '  "token": "{v}",'), ('sh', 'export SERVICE_TOKEN="{v}"'),
    ('sh', 'curl -H "Authorization: Bearer {v}" https://api.internal/v1'), ('rs', 'const TOKEN: &str = "{v}";'),
    ('rs', 'let client = Client::new("{v}");'),
]
FILLER = {
    'py': ['import os', 'import json', '', 'def handler(event):', '    return json.dumps(event)', ''],
    'js': ["import fetch from 'node-fetch';", '', 'export async function run() {', '  return fetch(URL);', '}'],
    'yaml': ['service:', '  name: api', '  replicas: 3', 'env:', '  LOG_LEVEL: info'],
    'env': ['LOG_LEVEL=debug', 'PORT=8080', 'NODE_ENV=production'],
    'json': ['{', '  "name": "service",', '  "port": 8080,'],
    'sh': ['#!/bin/sh', 'set -eu', 'cd "$(dirname "$0")"'],
    'rs': ['use std::env;', '', 'fn main() {', '    println!("ready");', '}'],
}

labels = []
os.makedirs(os.path.join(root, 'positives'), exist_ok=True)
os.makedirs(os.path.join(root, 'negatives'), exist_ok=True)
n = 0
for rule, tmpl in TOKENS:
    for k in range(4):
        ext, line = EMBED[(n + k * 5) % len(EMBED)]
        v = token(rule, tmpl)
        body = list(FILLER[ext])
        at = random.randrange(len(body) + 1)
        body.insert(at, line.format(v=v))
        name = f'positives/{n:03d}-{rule}.{ext}' if ext != 'env' else f'positives/{n:03d}-{rule}.env'
        open(os.path.join(root, name), 'w').write('\n'.join(body) + '\n')
        labels.append({'file': name, 'line': at + 1, 'rule': rule})
        n += 1
# Multi-line private keys, database URLs and generic assignments.
for label, rule in [('RSA PRIVATE KEY', 'private-key-rsa'), ('OPENSSH PRIVATE KEY', 'private-key-openssh'),
                    ('EC PRIVATE KEY', 'private-key-ec'), ('PRIVATE KEY', 'private-key-pkcs8'),
                    ('ENCRYPTED PRIVATE KEY', 'private-key-pkcs8-encrypted'), ('PGP PRIVATE KEY BLOCK', 'private-key-pgp')]:
    for k in range(3):
        body = '\n'.join(g('{64:b64}') for _ in range(random.randint(4, 12)))
        pre = ['# deploy key', 'KEY="$(cat <<EOF'] if k == 1 else ['key: |'] if k == 2 else []
        text = '\n'.join(pre + [f'-----BEGIN {label}-----', body, f'-----END {label}-----'] + (['EOF', ')"'] if k == 1 else []))
        name = f'positives/{n:03d}-{rule}.' + ['pem', 'sh', 'yaml'][k]
        open(os.path.join(root, name), 'w').write(text + '\n')
        labels.append({'file': name, 'line': len(pre) + 1, 'rule': rule})
        n += 1
for scheme, rule in [('postgres', 'postgres-url-password'), ('mysql', 'mysql-url-password'), ('mongodb+srv', 'mongodb-url-password'),
                     ('redis', 'redis-url-password'), ('amqps', 'amqp-url-password')]:
    for k in range(3):
        v = g('{16:an}')
        line = [f'DATABASE_URL={scheme}://svc:{v}@db.prod.internal:5432/app', f'url = "{scheme}://admin:{v}@10.0.3.4/main"',
                f'  dsn: "{scheme}://app:{v}@cluster0.example-host.net/db"'][k]
        name = f'positives/{n:03d}-{rule}.' + ['env', 'toml', 'yaml'][k]
        open(os.path.join(root, name), 'w').write('# connection\n' + line + '\n')
        labels.append({'file': name, 'line': 2, 'rule': rule})
        n += 1
for k in range(15):
    v = g('{6:an}') + str(random.randint(10, 99)) + g('{10:an}')
    line = [f'db_password = "{v}"', f'const apiKey = "{v}";', f'SECRET_KEY={v}', f'  client_secret: "{v}"', f'let auth_token = "{v}";'][k % 5]
    ext = ['py', 'js', 'env', 'yaml', 'rs'][k % 5]
    name = f'positives/{n:03d}-generic.{ext}'
    open(os.path.join(root, name), 'w').write('# settings\n' + line + '\n')
    labels.append({'file': name, 'line': 2, 'rule': 'generic-env-secret' if ext == 'env' else 'generic-secret-assignment'})
    n += 1

# Hard negatives, one case a line.
neg = []
neg += ['aws_access_key_id = AKIAIOSFODNN7EXAMPLE', 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        'GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'api_key = "your-api-key-here"', 'password = "changeme"',
        'token: "{{ vault_token }}"', 'secret = "${APP_SECRET}"', 'API_KEY=<your-api-key>', 'password = "********"',
        'STRIPE_KEY=sk_live_XXXXXXXXXXXXXXXXXXXXXXXX', 'export OPENAI_API_KEY="sk-..."', 'token = "REDACTED"',
        'SLACK_TOKEN=xoxb-your-bot-token', 'DATABASE_URL=postgres://user:password@localhost:5432/app',
        'REDIS_URL=redis://:${REDIS_PASSWORD}@redis:6379/0', 'mongodb://<username>:<password>@cluster0.mongodb.net',
        'private_key = "-----BEGIN PRIVATE KEY-----\\n...\\n-----END PRIVATE KEY-----"']
neg += ['api_key = os.environ["API_KEY"]', 'token = os.getenv("GITHUB_TOKEN")', 'const secret = process.env.JWT_SECRET;',
        'let key = std::env::var("API_KEY")?;', 'password = ENV["DB_PASSWORD"]', 'secret: ${{ secrets.DEPLOY_KEY }}',
        'token := os.Getenv("TOKEN")', 'apiKey: process.env.STRIPE_SECRET_KEY,', 'SECRET_KEY = config("SECRET_KEY")',
        'password = vault.read("secret/db")["password"]']
for _ in range(60):
    neg.append(f'commit = "{hashlib.sha1(os.urandom(8)).hexdigest()}"')
    neg.append(f'id: {uuid.uuid4()}')
    neg.append(f'  "sha256": "{hashlib.sha256(os.urandom(8)).hexdigest()}",')
for _ in range(30):
    neg.append('  integrity sha512-' + base64.b64encode(os.urandom(64)).decode())
    neg.append('      "integrity": "sha512-' + base64.b64encode(os.urandom(64)).decode() + '",')
    neg.append('<img src="data:image/png;base64,' + base64.b64encode(os.urandom(90)).decode() + '">')
    neg.append('checksum = "' + hashlib.sha256(os.urandom(8)).hexdigest() + '"')
    neg.append('cursor = "' + base64.urlsafe_b64encode(os.urandom(30)).decode() + '"')
    neg.append('nonce: ' + hashlib.md5(os.urandom(8)).hexdigest())
neg += ['!function(e,t){"object"==typeof exports&&"undefined"!=typeof module?module.exports=t():"function"==typeof define&&define.amd?define(t):(e=e||self).Vue=t()}(this,function(){"use strict";var e=Object.freeze({});function t(e){return null==e}})',
        'var a=function(t){return t.token&&t.token.length>0},b=a(c.auth),d={password:b?c.pw:null,tokenType:"bearer"};',
        'function n(e){var t=e.getToken(),r=t.accessKey||"";return r.split(".").map(function(e){return e.trim()})}',
        'const passwordField = document.getElementById("password-input");', 'token = tokenizer.next_token(buffer)',
        'secret_name = "prod/db/password"', 'password_hash = bcrypt.hashpw(password, salt)', 'TOKEN_TYPE = "refresh_token"',
        'api_key_header = "X-Api-Key"', 'self.secret_manager = SecretManagerServiceClient()', 'token_url = "https://oauth2.googleapis.com/token"',
        'password: !vault |', 'key_path = "/etc/ssl/private/server.key"', 'AUTH_TOKEN_LENGTH = 32', 'let token = parser.expect(Token::Ident)?;',
        'SECRET_KEY_PATH=/run/secrets/app_key', 'access_key = access_key_from_profile(profile_name)', 'config.password = getPasswordFromVault()',
        'private_key_file = "keys/id_rsa"', 'assert token.startswith("ghp_")', '// see https://docs.github.com/en/authentication for token formats',
        'sk_test_ prefix marks Stripe test keys', 'git rev-parse HEAD  # 3f786850e387550fdab836ed7e6dc881de23001b',
        'version = "1.2.3"', 'url = "https://user@github.com/org/repo.git"', 'http://localhost:8080/api?token=', 'Bearer <token>']
open(os.path.join(root, 'negatives', 'cases.txt'), 'w').write('\n'.join(neg) + '\n')
json.dump({'positives': labels, 'negative_file': 'negatives/cases.txt'}, open(os.path.join(root, 'labels.json'), 'w'), indent=1)
print(len(labels), 'positives,', len(neg), 'negatives')
