"""Handover's domain: the rules every Lambda function shares, behind one layer."""

import warnings

# Powertools warns whenever an invocation publishes no metric (jwks, the docs, most refusals): once
# per container, in its log, and that first warning reads a source file to show its line (about
# 0.2 ms of a first request).
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)
