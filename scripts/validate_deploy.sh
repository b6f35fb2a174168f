#!/usr/bin/env bash
# Validates the deployment files offline (docs/deployment.md, "Validation"):
#  - deploy/k8s/*.yaml against the Kubernetes 1.30 OpenAPI schemas shipped in the
#    kubernetes-validate package (--strict: unknown fields are errors), and the
#    kustomization renders (kubectl kustomize, when kubectl is installed);
#  - deploy/docker-compose.yml against the Compose specification schema vendored
#    in check-jsonschema;
#  - the nginx template, filled in, with `nginx -t` (when nginx is installed).
# The tools go to .tools/validate (git-ignored), not into the project's .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=.tools/validate
if [ ! -x "$tools/bin/kubernetes-validate" ] || [ ! -x "$tools/bin/check-jsonschema" ]; then
  python3 -m venv "$tools"
  "$tools/bin/pip" install -q --disable-pip-version-check kubernetes-validate==1.37.0 check-jsonschema==0.39.0
fi
manifests=$(ls deploy/k8s/*.yaml | grep -v kustomization.yaml)
# shellcheck disable=SC2086
"$tools/bin/kubernetes-validate" -k 1.30.0 --strict --quiet $manifests
echo "deploy/k8s: valid against Kubernetes 1.30 (strict)"
if command -v kubectl >/dev/null; then
  kubectl kustomize deploy/k8s > /dev/null && echo "deploy/k8s: kustomization renders"
fi
"$tools/bin/check-jsonschema" --builtin-schema vendor.compose-spec deploy/docker-compose.yml
if [ -x /usr/sbin/nginx ]; then
  tmp=$(mktemp -d); mkdir -p "$tmp/tmp"
  sed -e "s#@PREFIX@#$tmp#g" -e "s#@LISTEN@#127.0.0.1#g" -e "s#@PUBLIC_PORT@#18080#g" -e "s#@API_PORT@#18081#g" -e "s#@[A-Z_]*PORT@#1#g" \
    deploy/nginx/shop.conf.template > "$tmp/nginx.conf"
  /usr/sbin/nginx -t -q -c "$tmp/nginx.conf" -p "$tmp" && echo "deploy/nginx: nginx -t ok"
  sed -e "s#server rasa:#server 127.0.0.1:#; s#server console:#server 127.0.0.1:#" \
    -e "s#listen 80;#listen 127.0.0.1:1;#" deploy/nginx/compose.conf > "$tmp/compose.conf"
  sed -i "s#^events#pid $tmp/c.pid; error_log $tmp/e.log;\nevents#" "$tmp/compose.conf"
  /usr/sbin/nginx -t -q -c "$tmp/compose.conf" -p "$tmp" && echo "deploy/nginx/compose.conf: nginx -t ok"
  rm -rf "$tmp"
fi
