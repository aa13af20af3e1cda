"""What X-Ray traces: the AWS SDK's calls, the only calls this service makes to anything.

Told nothing, Powertools' Tracer patches every library the X-Ray SDK supports (sqlite3,
http.client, requests, httpx, the SQL drivers and ORMs), importing each one it finds, for
libraries no function calls: 6-19 ms here in an interpreter with boto3 loaded, about 20 million
instructions (1%) of a function's cold start. Every function's tracer patches these:

    tracer = Tracer(patch_modules=tracing.PATCHED)
"""

PATCHED = ("botocore",)
