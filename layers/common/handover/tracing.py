"""What X-Ray traces: the AWS SDK's calls, the only calls this service makes to anything.

Told nothing, Powertools' Tracer patches every library the X-Ray SDK supports (sqlite3,
http.client, requests, httpx, the SQL drivers and ORMs), importing each one it finds: 6-19 ms of
every cold start here, for libraries no function calls. Every function's tracer patches these:

    tracer = Tracer(patch_modules=tracing.PATCHED)
"""

PATCHED = ("botocore",)
