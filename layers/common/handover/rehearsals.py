"""The synthetic events a worker rehearses with before SnapStart's snapshot (`snapshot.prepare`'s
`rehearsal`): one of each kind Lambda hands the workers, shaped as AWS sends it, about nobody.
Every AWS call a rehearsal makes is answered in the process with nothing found, so it ends early,
having run the parsing and the SDK's calls a first event would otherwise run for the first time."""

from __future__ import annotations

import json
from typing import Any

NOBODY = "snapshot"  # the business, job, customer and link every rehearsal is about
ADDRESS = "snapshot@example.com"
_AT = "2026-01-01T00:00:00Z"


def sqs(*messages: dict[str, Any]) -> dict[str, Any]:
    """An SQS batch of `messages` (JSON bodies)."""
    return {"Records": [{"messageId": f"{NOBODY}-{number}", "receiptHandle": NOBODY, "body": json.dumps(message),
                         "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "0", "SenderId": NOBODY,
                                        "ApproximateFirstReceiveTimestamp": "0"},
                         "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                         "eventSourceARN": f"arn:aws:sqs:eu-west-1:000000000000:{NOBODY}", "awsRegion": "eu-west-1"}
                        for number, message in enumerate(messages)]}


def outbox_stream() -> dict[str, Any]:
    """The outbox table's stream with one new item (NEW_IMAGE)."""
    detail = json.dumps({"id": NOBODY, "occurred_at": _AT, "account_id": NOBODY, "data": {}})
    image = {"id": {"S": NOBODY}, "detail_type": {"S": "customer.created"}, "detail": {"S": detail},
             "created_at": {"N": "0"}, "expires_ttl": {"N": "0"}}
    return {"Records": [{"eventID": NOBODY, "eventName": "INSERT", "eventVersion": "1.1",
                         "eventSource": "aws:dynamodb", "awsRegion": "eu-west-1",
                         "dynamodb": {"ApproximateCreationDateTime": 0, "Keys": {"id": {"S": NOBODY}},
                                      "NewImage": image, "SequenceNumber": "1", "SizeBytes": 1,
                                      "StreamViewType": "NEW_IMAGE"},
                         "eventSourceARN": f"arn:aws:dynamodb:eu-west-1:000000000000:table/{NOBODY}/stream/{_AT}"}]}


def _event_bridge(source: str, detail_type: str, detail: dict[str, Any]) -> dict[str, Any]:
    return {"version": "0", "id": NOBODY, "detail-type": detail_type, "source": source, "account": "000000000000",
            "time": _AT, "region": "eu-west-1", "resources": [], "detail": detail}


def platform_booking() -> dict[str, Any]:
    """The platform's `booking.created` on its bus."""
    return _event_bridge("platform", "booking.created", {
        "account_id": NOBODY, "booking_id": NOBODY, "email": ADDRESS, "reference": NOBODY, "service": NOBODY,
        "starts_at": _AT, "created_at": _AT})


def ses_delivery() -> dict[str, Any]:
    """SES's `Email Delivered` of an email Handover sent (its tags name the link and the business)."""
    mail = {"timestamp": _AT, "source": ADDRESS, "sendingAccountId": "000000000000", "messageId": NOBODY,
            "destination": [ADDRESS], "headersTruncated": False, "headers": [],
            "commonHeaders": {"from": [ADDRESS], "to": [ADDRESS], "messageId": NOBODY, "subject": NOBODY},
            "tags": {"link": [NOBODY], "business": [NOBODY], "kind": ["invite"], "realm": ["customer"],
                     "subject": [NOBODY]}}
    return _event_bridge("aws.ses", "Email Delivered", {
        "eventType": "Delivery", "mail": mail,
        "delivery": {"timestamp": _AT, "processingTimeMillis": 0, "recipients": [ADDRESS], "smtpResponse": "250",
                     "reportingMTA": NOBODY}})


def upload(bucket: str | None) -> dict[str, Any]:
    """S3's ObjectCreated of an import file in `bucket`."""
    return {"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "eu-west-1", "eventTime": _AT,
                         "eventName": "ObjectCreated:Put", "userIdentity": {"principalId": NOBODY},
                         "requestParameters": {"sourceIPAddress": "127.0.0.1"}, "responseElements": {},
                         "s3": {"s3SchemaVersion": "1.0", "configurationId": NOBODY,
                                "bucket": {"name": bucket or NOBODY, "ownerIdentity": {"principalId": NOBODY},
                                           "arn": f"arn:aws:s3:::{bucket or NOBODY}"},
                                "object": {"key": f"imports/{NOBODY}/{NOBODY}.csv", "size": 1, "eTag": NOBODY,
                                           "sequencer": "0"}}}]}
