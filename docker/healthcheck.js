// The image's HEALTHCHECK: healthy while the service answers 200 on /health/ready.
// (No curl in the slim base image; node is there anyway.)
const port = process.env.HTTP_PORT || '8080';
fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(2500) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
