"""Admin commands for a deployed stack (run with your own AWS credentials).

    python -m local.admin create-operator --stack <stack> --email <email> --name "<name>" [--secure]

Asks for the password twice (it must meet the `classic` policy) and creates an operator who can
sign in at once with `POST /v1/auth/login` (realm `operator`).
"""

from __future__ import annotations

import argparse
import getpass
import sys

import boto3

from local.lambdas import ensure_layer_on_path


def directory_table(stack: str) -> str:
    stacks = boto3.client("cloudformation").describe_stacks(StackName=stack)["Stacks"]
    outputs = {output["OutputKey"]: output["OutputValue"] for output in stacks[0].get("Outputs", [])}
    return outputs["DirectoryTableName"]


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


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m local.admin")
    commands = parser.add_subparsers(required=True)
    operator = commands.add_parser("create-operator", help="create an operator who can sign in at once")
    operator.add_argument("--stack", required=True, help="the CloudFormation stack name")
    operator.add_argument("--email", required=True)
    operator.add_argument("--name", required=True)
    operator.add_argument("--secure", action="store_true", help="may act on secure accounts")
    operator.set_defaults(run=create_operator)
    arguments = parser.parse_args()
    arguments.run(arguments)


if __name__ == "__main__":
    main()
