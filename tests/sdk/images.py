"""The official OpenAI Python SDK against Atelier's /v1 (tests/api/openai_facade.rs runs it).

Prints one JSON line: {"ok": true, "images": [{"sha256", "bytes", "png"}], "revised_prompt"}
or {"ok": false, "error": <the SDK's exception class>, "status", "message"}.
"""

import argparse
import base64
import hashlib
import json
import sys
import urllib.request

import openai


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--base", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--op", choices=["generate", "edit", "models"], default="generate")
    p.add_argument("--model")
    p.add_argument("--prompt", default="")
    p.add_argument("--n", type=int)
    p.add_argument("--size")
    p.add_argument("--format", dest="response_format")
    p.add_argument("--image")
    p.add_argument("--mask")
    a = p.parse_args()

    client = openai.OpenAI(base_url=a.base, api_key=a.key, max_retries=0, timeout=300)
    extra = {k: v for k, v in {"n": a.n, "size": a.size, "response_format": a.response_format}.items() if v is not None}
    try:
        if a.op == "models":
            print(json.dumps({"ok": True, "models": [m.id for m in client.models.list()]}))
            return
        if a.op == "generate":
            result = client.images.generate(model=a.model, prompt=a.prompt, **extra)
        else:
            with open(a.image, "rb") as image:
                files = {"image": image}
                if a.mask:
                    files["mask"] = open(a.mask, "rb")
                result = client.images.edit(model=a.model, prompt=a.prompt, **files, **extra)
    except openai.APIStatusError as e:
        print(json.dumps({"ok": False, "error": type(e).__name__, "status": e.status_code, "message": e.message}))
        return
    images = []
    revised = None
    for d in result.data or []:
        if d.b64_json:
            data = base64.b64decode(d.b64_json)
        else:
            data = urllib.request.urlopen(d.url).read()
        images.append({"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data), "png": data[:8] == b"\x89PNG\r\n\x1a\n"})
        revised = revised or d.revised_prompt
    print(json.dumps({"ok": True, "images": images, "revised_prompt": revised}))


if __name__ == "__main__":
    sys.exit(main())
