-- Argo CD health of an idmelon.com/ApiKey, from the operator's status (kstatus-style: Ready + observedGeneration).
--   Healthy      Ready=True: a live key is in the Secret
--   Progressing  not yet observed, a rotation requested or in flight, or no Ready condition yet
--   Degraded     Ready=False (InvalidSpec, SecretConflict, Expired, IdmelonUnavailable, ...): the message says why
hs = {}
local status = obj.status
if status == nil or status.conditions == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to issue the key"
  return hs
end
if obj.metadata.generation ~= nil and (status.observedGeneration == nil or status.observedGeneration < obj.metadata.generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe the latest spec"
  return hs
end
if status.pending ~= nil then
  hs.status = "Progressing"
  hs.message = "Rotating the key (" .. tostring(status.pending.operation) .. ")"
  return hs
end
local annotations = obj.metadata.annotations
if annotations ~= nil then
  local reset = annotations["idmelon.com/reset"]
  if reset ~= nil and reset ~= "" and reset ~= status.lastReset then
    hs.status = "Progressing"
    hs.message = "Rotation requested by idmelon.com/reset"
    return hs
  end
end
for _, condition in ipairs(status.conditions) do
  if condition.type == "Ready" then
    local text = tostring(condition.reason) .. ": " .. tostring(condition.message)
    if condition.status == "True" then
      hs.status = "Healthy"
    elseif condition.status == "False" then
      hs.status = "Degraded"
    else
      hs.status = "Progressing"
    end
    hs.message = text
    return hs
  end
end
hs.status = "Progressing"
hs.message = "Waiting for the Ready condition"
return hs
