/** An API Gateway HTTP API (payload 2.0) event for `GET path`, as the Lambda receives it. */
export function httpApiGet(path: string, headers: Record<string, string> = {}) {
  return httpApiEvent("GET", path, headers);
}

/** The same for `POST path` with a JSON body. */
export function httpApiPostJson(path: string, body: unknown, headers: Record<string, string> = {}) {
  return {
    ...httpApiEvent("POST", path, { "content-type": "application/json", ...headers }),
    body: JSON.stringify(body),
  };
}

function httpApiEvent(method: string, path: string, headers: Record<string, string>) {
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString: "",
    headers: { host: "abc123.execute-api.eu-west-1.amazonaws.com", "user-agent": "infra-test", ...headers },
    requestContext: {
      accountId: "123456789012",
      apiId: "abc123",
      domainName: "abc123.execute-api.eu-west-1.amazonaws.com",
      domainPrefix: "abc123",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "infra-test" },
      requestId: "infra-test",
      routeKey: "$default",
      stage: "$default",
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
  };
}
