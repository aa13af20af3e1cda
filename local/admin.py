"""Admin commands for a deployed stack (run with your own AWS credentials).

    python -m local.admin create-operator --stack <stack> --email <email> --name "<name>" [--secure]

Asks for the password twice (it must meet the `classic` policy) and creates an operator who can
sign in at once with `POST /v1/auth/login` (realm `operator`).

    python -m local.admin replay-events --stack <stack> --since <ISO time> [--until <ISO time>]

Puts the events written to the outbox in that window (the last 7 days are kept) on Handover's bus
again, oldest first: for a batch the publisher's dead-letter queue names (its message gives the
window). Consumers drop the repeats by `detail.id`.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime

import boto3

from local.lambdas import ensure_layer_on_path


def stack_output(stack: str, name: str) -> str:
    stacks = boto3.client("cloudformation").describe_stacks(StackName=stack)["Stacks"]
    outputs = {output["OutputKey"]: output["OutputValue"] for output in stacks[0].get("Outputs", [])}
    return outputs[name]


def directory_table(stack: str) -> str:
    return stack_output(stack, "DirectoryTableName")


def create_operator(arguments: argparse.Namespace) -> None:
    ensure_layer_on_path()
    from handover.accounts.operators import add_operator
    from handover.data.directory import Directory
    from handover.data.dynamo import Dynamo
    from handover.errors import HandoverError
    from handover.identity import password_policy
    from handover.identity.passwords import Passwords

    password = getpass.getpass("Password: ")
    if password != getpass.getpass("Again: "):
        sys.exit("the passwords differ")
    try:
        password_policy.enforce(password, profile="classic", email=arguments.email)
        dynamo = Dynamo(boto3.client("dynamodb"))
        operator = add_operator(dynamo, Directory.on(dynamo, directory_table(arguments.stack)), email=arguments.email,
                                name=arguments.name, secure=arguments.secure,
                                password_hash=Passwords().hash(password))
    except HandoverError as error:
        sys.exit(f"{error.code}: {error.detail}")
    print(f"operator {operator.id} <{operator.email}> created (secure: {str(operator.secure).lower()})")


def replay_events(arguments: argparse.Namespace) -> None:
    ensure_layer_on_path()
    from handover.data.dynamo import Dynamo
    from handover.data.outbox import OutboxStore
    from handover.events.publisher import Publisher, replay

    def epoch(text: str) -> int:
        moment = datetime.fromisoformat(text)
        return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())

    until = epoch(arguments.until) if arguments.until else int(datetime.now(UTC).timestamp())
    replayed = replay(OutboxStore(stack_output(arguments.stack, "OutboxTableName")), Dynamo(boto3.client("dynamodb")),
                      Publisher(boto3.client("events"), stack_output(arguments.stack, "EventBusName")),
                      epoch(arguments.since), until)
    for line in replayed.malformed + replayed.failed:
        print(line)
    print(f"{replayed.published} events put on the bus again; {len(replayed.failed)} refused,"
          f" {len(replayed.malformed)} malformed items passed over")
    if replayed.failed:
        sys.exit(1)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m local.admin")
    commands = parser.add_subparsers(required=True)
    operator = commands.add_parser("create-operator", help="create an operator who can sign in at once")
    operator.add_argument("--stack", required=True, help="the CloudFormation stack name")
    operator.add_argument("--email", required=True)
    operator.add_argument("--name", required=True)
    operator.add_argument("--secure", action="store_true", help="may act on secure accounts")
    operator.set_defaults(run=create_operator)
    events = commands.add_parser("replay-events", help="put the outbox's events of a time window on the bus again")
    events.add_argument("--stack", required=True, help="the CloudFormation stack name")
    events.add_argument("--since", required=True, help="ISO 8601 time (UTC unless it says otherwise)")
    events.add_argument("--until", help="ISO 8601 time; default now")
    events.set_defaults(run=replay_events)
    arguments = parser.parse_args()
    arguments.run(arguments)


if __name__ == "__main__":
    main()
