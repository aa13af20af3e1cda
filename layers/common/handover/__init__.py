"""Handover's domain: the rules every Lambda function shares, behind one layer."""
