"""A real A2A client session with a running `tdev daemon` (tests/a2a.rs), through the Python
`a2a-sdk` pinned in tests/requirements.txt (protocol 1.0, and its compatibility transport for
0.3).

Usage: a2a_session.py BASE_URL TOKEN. Fetches the agent card with the SDK's card resolver,
sends the evolve skill a message without the token, then with it, and polls the cycle's task
until it ends; asks for recommendations and gets the task again by its id; asks again over
A2A 0.3; asks for a second cycle, which the daemon's budget refuses; and asks for a task that
does not exist. Prints one JSON report on stdout; the test judges it, and this script only
checks what the protocol itself requires.
"""

import asyncio
import json
import sys
import uuid

import httpx
from a2a.client import A2ACardResolver, A2AClientError, ClientConfig, ClientFactory
from a2a.compat.v0_3.jsonrpc_transport import CompatJsonRpcTransport
from a2a.helpers.proto_helpers import (
    get_data_parts,
    get_text_parts,
    new_data_part,
    new_message,
    new_text_part,
)
from a2a.types.a2a_pb2 import (
    GetTaskRequest,
    Role,
    SendMessageRequest,
    TaskState,
)
from a2a.utils.errors import A2AError

# A question scans a small repository, a cycle runs its tests: minutes on a loaded machine.
DEADLINE_SECONDS = 600


def user_message(*parts):
    return new_message(parts=list(parts), role=Role.ROLE_USER)


def task_report(task):
    """What the test looks at in a task."""
    return {
        "id": task.id,
        "state": TaskState.Name(task.status.state),
        "said": "\n".join(get_text_parts(task.status.message.parts)),
        "skill": task.metadata["skill"] if "skill" in task.metadata else None,
        "artifacts": [
            {
                "name": artifact.name,
                "text": "\n".join(get_text_parts(artifact.parts)),
                "data": get_data_parts(artifact.parts),
            }
            for artifact in task.artifacts
        ],
        "history": len(task.history),
    }


async def send(client, message):
    """SendMessage through the SDK's client: the task it answers with."""
    request = SendMessageRequest(message=message)
    answers = [answer async for answer in client.send_message(request)]
    assert len(answers) == 1, answers
    assert answers[0].HasField("task"), answers[0]
    return answers[0].task


async def until_ended(client, task_id):
    """GetTask until the task is no longer working, or the deadline passes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE_SECONDS
    while True:
        task = await client.get_task(GetTaskRequest(id=task_id))
        if task.status.state != TaskState.TASK_STATE_WORKING or loop.time() > deadline:
            return task
        await asyncio.sleep(0.2)


async def session(base, token):
    report = {}
    async with httpx.AsyncClient(timeout=DEADLINE_SECONDS) as plain, httpx.AsyncClient(
        timeout=DEADLINE_SECONDS, headers={"Authorization": f"Bearer {token}"}
    ) as authorized:
        card = await A2ACardResolver(plain, base).get_agent_card()
        report["card"] = {
            "name": card.name,
            "version": card.version,
            "skills": [skill.id for skill in card.skills],
            "interfaces": [
                [i.protocol_binding, i.protocol_version, i.url]
                for i in card.supported_interfaces
            ],
            "schemes": sorted(card.security_schemes.keys()),
            "streaming": card.capabilities.streaming,
        }
        config = lambda http: ClientConfig(httpx_client=http, streaming=False)
        anonymous = ClientFactory(config(plain)).create(card)
        client = ClientFactory(config(authorized)).create(card)

        evolve = lambda: user_message(new_data_part({"goal": "improve overall quality"}))
        try:
            await send(anonymous, evolve())
            report["evolve_without_token"] = "answered"
        except A2AClientError as e:
            report["evolve_without_token"] = str(e)

        started = await send(client, evolve())
        report["evolve"] = task_report(started)
        report["evolve_ended"] = task_report(await until_ended(client, started.id))

        asked = await send(client, user_message(new_text_part("What should I fix first?")))
        report["ask"] = task_report(asked)
        report["get_task"] = task_report(await client.get_task(GetTaskRequest(id=asked.id)))

        # The same question over A2A 0.3, with the SDK's compatibility transport.
        v03 = CompatJsonRpcTransport(plain, card, card.supported_interfaces[0].url)
        answer = await v03.send_message(
            SendMessageRequest(message=user_message(new_text_part("What should I fix first?")))
        )
        report["ask_v03"] = task_report(answer.task)

        report["evolve_again"] = task_report(await send(client, evolve()))

        try:
            await client.get_task(GetTaskRequest(id=uuid.uuid4().hex))
            report["missing_task"] = "answered"
        except A2AError as e:
            report["missing_task"] = type(e).__name__
        await anonymous.close()
        await client.close()
    return report


def main():
    base, token = sys.argv[1], sys.argv[2]
    print(json.dumps(asyncio.run(session(base, token)), indent=1))


if __name__ == "__main__":
    main()
